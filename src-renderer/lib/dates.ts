/** When something happened, short, in the user's locale: `Dec 1, 09:14 AM` (or with seconds). */
export function formatWhen(ms: number, seconds = false): string {
  return new Date(ms).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  })
}
