/**
 * klaviyo-api 23.0.0 cannot serialize `meta.patchProperties.unset`: its type map names the string-or-array type
 * `Array&lt;string&gt;` (HTML-escaped), so ObjectSerializer throws "Cannot read properties of undefined (reading
 * 'getAttributeTypeMap')" before any request is sent (klaviyo/klaviyo-api-node#119, open). The value is a string
 * or an array of strings, which JSON carries as is, so that one type is passed through unchanged. Imported for its
 * effect by payloads.ts, so every module that builds a request body has it; applying it twice is harmless.
 * The same hook lets a `WireBody` (a bulk body already written as JSON text, wire.ts) through unchanged.
 */
import { ObjectSerializer } from 'klaviyo-api';
import { WireBody } from './wire-body';

const UNSET_TYPE = 'ProfileMetaPatchPropertiesUnset';
const PATCHED = Symbol.for('shipsignal.klaviyo-api.unset-serializer');

type Serialize = typeof ObjectSerializer.serialize;
const holder = ObjectSerializer as unknown as { serialize: Serialize; [PATCHED]?: true };

if (!holder[PATCHED]) {
  const original: Serialize = ObjectSerializer.serialize.bind(ObjectSerializer);
  // A body already in wire form (wire.ts) goes out as its text: serializing it again would only copy it.
  holder.serialize = (data, type) => (type === UNSET_TYPE ? data : data instanceof WireBody ? data.text : original(data, type));
  holder[PATCHED] = true;
}
