/**
 * A request body already in wire form (JSON text, see wire.ts). Its own module so that sdk-fixes.ts, which every
 * payload builder imports, can recognise it without importing the builders.
 */
export class WireBody {
  constructor(readonly text: string) {}
}

/**
 * The SDK's methods are typed with their request models; a WireBody stands in for the model it was written from
 * (sdk-fixes.ts passes it through the serializer), so it is handed over under that type.
 */
export const asSdkBody = <Model>(body: WireBody): Model => body as unknown as Model;
