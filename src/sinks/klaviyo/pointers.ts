/** Where in a bulk request Klaviyo's `source.pointer` says the problem is, as positions in our batch. */
const EVENT_POINTER = /^\/data\/attributes\/events-bulk-create\/data\/(\d+)(?:\/attributes\/events\/data\/(\d+))?(?:\/|$)/;
const PROFILE_POINTER = /^\/data\/attributes\/profiles\/data\/(\d+)(?:\/|$)/;

/** `event` is null when the pointer names the group (its profile), which condemns every event in it. */
export function eventPointer(pointer: string | null): { group: number; event: number | null } | null {
  const match = pointer === null ? null : EVENT_POINTER.exec(pointer);
  if (!match) return null;
  return { group: Number(match[1]), event: match[2] === undefined ? null : Number(match[2]) };
}

export function profilePointer(pointer: string | null): number | null {
  const match = pointer === null ? null : PROFILE_POINTER.exec(pointer);
  return match ? Number(match[1]) : null;
}
