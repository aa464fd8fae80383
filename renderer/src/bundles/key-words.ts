// A trusted key as the keys list names it. Bundles carry no signer's name, so a key trusted while
// importing one has only its fingerprint: it is said to be an unnamed key (with when it was trusted),
// not shown as a bare fingerprint; a key trusted with a name shows that name.
import type { BundleKeys } from '../../../shared/api';

type TrustedKey = BundleKeys['trusted'][number];

export interface KeyWords {
  name: string;
  /** What else is known: "trusted on import, 2026-11-30". */
  detail: string | null;
}

const ON_IMPORT = /^trusted on import \(([^)]*)\)$/;

export function keyWords(key: Pick<TrustedKey, 'label' | 'own'>): KeyWords {
  if (key.own) return { name: 'This workspace', detail: 'signs the bundles exported here' };
  const label = key.label.trim();
  const onImport = ON_IMPORT.exec(label);
  if (onImport) return { name: 'Unnamed key', detail: `trusted on import, ${onImport[1]}` };
  return label ? { name: label, detail: null } : { name: 'Unnamed key', detail: null };
}
