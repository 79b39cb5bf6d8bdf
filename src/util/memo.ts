/**
 * A function of a value that is never changed, computed once per value: the value itself is the key, in a WeakMap,
 * so an entry goes when the value goes. For the derived figures of immutable values (a customer's returns summary,
 * a statistics value's interval, a mapping's field list) that many callers ask for in one pass. Results may be
 * null but never undefined (undefined marks "not computed yet").
 */
export function memoByValue<K extends object, V extends {} | null>(compute: (key: K) => V): (key: K) => V {
  const known = new WeakMap<K, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = compute(key);
      known.set(key, value);
    }
    return value;
  };
}
