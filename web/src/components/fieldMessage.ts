// Server messages about a field are written to follow its name ("must be at
// least 12 characters", "is too common"); shown under the field they read
// better as a sentence that names it.
const continuesName = /^(is|are|must|should|has|have|cannot|can't|does|do|already)\b/

export function fieldMessage(label: string, message: string): string {
  const m = message.trim()
  if (m === '') return m
  if (continuesName.test(m)) return `${label} ${m}`
  return m.charAt(0).toUpperCase() + m.slice(1)
}
