/** Hands a file to the browser as a download (web mode, where no save dialog is at hand). */
export function saveFile(
  fileName: string,
  data: BlobPart,
  type = 'application/octet-stream',
): void {
  const url = URL.createObjectURL(new Blob([data], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.click()
  URL.revokeObjectURL(url)
}
