/**
 * The `changedTrackers` watermark after seeing `snapshot`: the latest `updated_at` so far. The next poll asks for
 * trackers updated at or after it, so a tracker sharing that second is seen again rather than missed.
 */
export function nextTrackerCursor(cursor: Date | null, snapshot: { readonly updatedAt: Date }): Date {
  return cursor !== null && cursor.getTime() >= snapshot.updatedAt.getTime() ? cursor : snapshot.updatedAt;
}
