// Collecting the files of a drop or a picker: folders are walked (hidden files and folders left
// out, as the command line does), each file keeps its path inside what was chosen.
export interface ChosenFile {
  name: string;
  file: File;
}

const hidden = (path: string) => path.split('/').some((part) => part.startsWith('.'));

/** Files from an <input type="file"> (a folder picker gives each its relative path). */
export function filesFromInput(list: FileList): ChosenFile[] {
  return [...list].map((file) => ({ name: file.webkitRelativePath || file.name, file })).filter((chosen) => !hidden(chosen.name));
}

/** Files from a drop, folders walked. */
export async function filesFromDrop(transfer: DataTransfer): Promise<ChosenFile[]> {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.every((entry) => entry === null)) return filesFromInput(transfer.files);
  const out: ChosenFile[] = [];
  for (const entry of entries) if (entry) await walk(entry, '', out);
  return out.filter((chosen) => !hidden(chosen.name));
}

async function walk(entry: FileSystemEntry, prefix: string, out: ChosenFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ name: path, file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries hands out a directory's entries a slice at a time, until an empty slice.
  for (;;) {
    const slice = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (slice.length === 0) break;
    for (const child of slice) await walk(child, path, out);
  }
}

/** A file's bytes as base64, for the engine (which reads and checks it). */
export async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

/** Batches of files, each up to `maxFiles` files and about `maxBytes` bytes. */
export function batches(files: ChosenFile[], maxFiles = 50, maxBytes = 2_000_000): ChosenFile[][] {
  const out: ChosenFile[][] = [];
  let current: ChosenFile[] = [];
  let bytes = 0;
  for (const chosen of files) {
    if (current.length > 0 && (current.length >= maxFiles || bytes + chosen.file.size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(chosen);
    bytes += chosen.file.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
