import type { ShipmentStatus } from '../../model/shipment';
import type { Locale } from './config';

/**
 * The page's words in each locale, and dates through Intl in the destination's time zone. Issue wording is plain
 * language for a customer (what happened, what happens next), never a rule code.
 */
interface Strings {
  readonly title: (store: string) => string;
  readonly greeting: (name: string | null) => string;
  readonly order: (number: string) => string;
  readonly parcel: (index: number, count: number) => string;
  readonly status: Readonly<Record<ShipmentStatus | 'awaiting_fulfillment', string>>;
  readonly deliveringTo: (city: string) => string;
  readonly mostLikely: string;
  readonly latestLikely: string;
  readonly thinHistory: string;
  readonly promise: string;
  readonly deliveredOn: string;
  readonly timeline: string;
  readonly noScans: string;
  readonly items: string;
  readonly carrierLink: (carrier: string) => string;
  readonly issueTitle: string;
  readonly issueNext: string;
  readonly issue: (code: string) => string;
  readonly contactSupport: string;
  readonly returns: string;
  readonly recommendations: string;
  readonly lookupTitle: string;
  readonly lookupIntro: string;
  readonly orderNumber: string;
  readonly emailOrPostal: string;
  readonly find: string;
  readonly notFound: string;
  readonly tooMany: string;
  readonly support: string;
}

const en: Strings = {
  title: (store) => `Track your order · ${store}`,
  greeting: (name) => (name ? `Hi ${name}, here is where your order is` : 'Here is where your order is'),
  order: (number) => `Order ${number}`,
  parcel: (index, count) => (count > 1 ? `Parcel ${index} of ${count}` : 'Your parcel'),
  status: {
    awaiting_fulfillment: 'Being prepared', unknown: 'Waiting for the carrier', pre_transit: 'Label created', in_transit: 'On its way',
    out_for_delivery: 'Out for delivery', delivered: 'Delivered', available_for_pickup: 'Ready for pickup',
    return_to_sender: 'Returning to us', failure: 'Delivery attempt failed', cancelled: 'Cancelled', error: 'Tracking unavailable',
  },
  deliveringTo: (city) => `Delivering to ${city}`,
  mostLikely: 'Most likely arrives',
  latestLikely: 'Very likely by',
  thinHistory: 'We have little delivery history for this route yet, so this estimate is rough.',
  promise: 'Our promise',
  deliveredOn: 'Delivered',
  timeline: 'Tracking history',
  noScans: 'No scans from the carrier yet.',
  items: 'In this parcel',
  carrierLink: (carrier) => `Details on the ${carrier} website`,
  issueTitle: 'There is a problem with this delivery',
  issueNext: 'We are on it and will write to you as soon as it moves again. You do not need to do anything.',
  issue: (code) => ISSUES_EN[code] ?? 'Your parcel is taking longer than it should.',
  contactSupport: 'Contact support',
  returns: 'Returns and exchanges',
  recommendations: 'Often bought with what you ordered',
  lookupTitle: 'Track your order',
  lookupIntro: 'Enter your order number and the email address or postal code you ordered with.',
  orderNumber: 'Order number',
  emailOrPostal: 'Email or postal code',
  find: 'Find my order',
  notFound: 'We could not find an order with these details. Check the order number and the email or postal code.',
  tooMany: 'Too many attempts. Please wait a few minutes and try again.',
  support: 'Need help?',
};

const ISSUES_EN: Record<string, string> = {
  stalled_fulfillment: 'Your order has not left our warehouse yet, later than planned.',
  label_not_picked_up: 'The carrier has not collected your parcel yet.',
  stalled_in_transit: 'The carrier has not reported any movement for a while.',
  late_vs_promise: 'Your parcel is later than we promised.',
  late_vs_carrier: 'Your parcel is later than the carrier expected.',
  promise_due: 'Your parcel may arrive after the promised date.',
  carrier_date_slipped: 'The carrier moved the delivery date back.',
  predicted_late: 'Your parcel is likely to arrive late.',
};

const ISSUES_PT: Record<string, string> = {
  stalled_fulfillment: 'Seu pedido ainda não saiu do nosso estoque, mais tarde do que o previsto.',
  label_not_picked_up: 'A transportadora ainda não coletou seu pacote.',
  stalled_in_transit: 'A transportadora não informa movimentação há algum tempo.',
  late_vs_promise: 'Seu pacote está atrasado em relação ao prazo prometido.',
  late_vs_carrier: 'Seu pacote está atrasado em relação à previsão da transportadora.',
  promise_due: 'Seu pacote pode chegar depois da data prometida.',
  carrier_date_slipped: 'A transportadora adiou a data de entrega.',
  predicted_late: 'Seu pacote provavelmente vai atrasar.',
};

const ptBR: Strings = {
  title: (store) => `Acompanhe seu pedido · ${store}`,
  greeting: (name) => (name ? `Olá, ${name}! Veja onde está seu pedido` : 'Veja onde está seu pedido'),
  order: (number) => `Pedido ${number}`,
  parcel: (index, count) => (count > 1 ? `Pacote ${index} de ${count}` : 'Seu pacote'),
  status: {
    awaiting_fulfillment: 'Em preparação', unknown: 'Aguardando a transportadora', pre_transit: 'Etiqueta criada', in_transit: 'A caminho',
    out_for_delivery: 'Saiu para entrega', delivered: 'Entregue', available_for_pickup: 'Disponível para retirada',
    return_to_sender: 'Voltando para nós', failure: 'Falha na tentativa de entrega', cancelled: 'Cancelado', error: 'Rastreio indisponível',
  },
  deliveringTo: (city) => `Entrega em ${city}`,
  mostLikely: 'Chegada mais provável',
  latestLikely: 'Muito provavelmente até',
  thinHistory: 'Ainda temos pouco histórico de entregas para esta rota; a estimativa é aproximada.',
  promise: 'Nosso prazo',
  deliveredOn: 'Entregue em',
  timeline: 'Histórico de rastreio',
  noScans: 'Ainda sem movimentações da transportadora.',
  items: 'Neste pacote',
  carrierLink: (carrier) => `Detalhes no site da ${carrier}`,
  issueTitle: 'Há um problema com esta entrega',
  issueNext: 'Já estamos cuidando disso e avisaremos assim que o pacote voltar a andar. Você não precisa fazer nada.',
  issue: (code) => ISSUES_PT[code] ?? 'Seu pacote está demorando mais do que deveria.',
  contactSupport: 'Fale com o suporte',
  returns: 'Trocas e devoluções',
  recommendations: 'Comprados junto com o que você pediu',
  lookupTitle: 'Acompanhe seu pedido',
  lookupIntro: 'Informe o número do pedido e o e-mail ou CEP usado na compra.',
  orderNumber: 'Número do pedido',
  emailOrPostal: 'E-mail ou CEP',
  find: 'Encontrar meu pedido',
  notFound: 'Não encontramos um pedido com esses dados. Confira o número do pedido e o e-mail ou CEP.',
  tooMany: 'Muitas tentativas. Aguarde alguns minutos e tente novamente.',
  support: 'Precisa de ajuda?',
};

export const STRINGS: Readonly<Record<Locale, Strings>> = { en, 'pt-BR': ptBR };

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function format(locale: Locale, zone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${zone}|${withTime}`;
  let formatter = dateFormats.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, withTime
      ? { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }
      : { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long' });
    dateFormats.set(key, formatter);
  }
  return formatter;
}

/** A day ("Tuesday, 2 October") in the destination's time zone. */
export const formatDay = (locale: Locale, zone: string, iso: string): string => format(locale, zone, false).format(new Date(iso));
/** A scan time ("Tue, 2 Oct, 14:05") in the destination's time zone. */
export const formatTime = (locale: Locale, zone: string, iso: string): string => format(locale, zone, true).format(new Date(iso));
