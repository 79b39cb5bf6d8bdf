const zlib=require('zlib'),fs=require('fs');const {buildClientSchema,parse,validate}=require('graphql');
const s=buildClientSchema(JSON.parse(zlib.gunzipSync(fs.readFileSync('specs/shopify-admin-graphql/admin_2026-10.introspection.json.gz'))).data);
const q=fs.readFileSync(process.argv[2],'utf8');
console.log(validate(s,parse(q)).map(e=>e.message));
for (const t of ['Return','ReturnLineItem','ReverseFulfillmentOrder','ReverseDelivery','Refund','ReturnLineItemType','ReverseDeliveryShippingDeliverable','ReverseDeliveryTrackingV2','RefundLineItem','ReturnDecline','ReturnReasonDefinition','Order']) {
  const ty=s.getType(t); if(!ty){console.log(t,'MISSING');continue}
  if (ty.getFields) console.log(t, Object.keys(ty.getFields()).filter(f=>t!=='Order'||/return|refund/i.test(f)).join(' '));
  else console.log(t, ty.getTypes? ty.getTypes().map(x=>x.name):'');
}
const o=s.getType('Order').getFields(); console.log('returns args', o.returns.args.map(a=>a.name), String(o.returns.type), 'refunds', o.refunds.args.map(a=>a.name+':'+a.type), String(o.refunds.type));
