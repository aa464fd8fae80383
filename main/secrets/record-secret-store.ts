// What both SecretStore backends share: all secrets kept as one record of name → stored form,
// read and written whole. Lookups go by own keys only, so a name such as "constructor" or
// "toString" is an absent secret, never something inherited from Object.prototype.
import { checkSecretName, type SecretStore } from './secret-store';

export abstract class RecordSecretStore implements SecretStore {
  /** Every secret as stored (plain text in an encrypted file, or per-value ciphertext). */
  protected abstract readRecord(): Record<string, string>;
  protected abstract writeRecord(record: Record<string, string>): void;
  /** The stored form of a value; throws a SecretStoreError when it cannot be stored safely. */
  protected abstract seal(name: string, value: string): string;
  /** The value of a stored form; throws a SecretStoreError when it cannot be read. */
  protected abstract unseal(name: string, stored: string): string;

  async get(name: string): Promise<string | null> {
    const checked = checkSecretName(name);
    const record = this.readRecord();
    return Object.hasOwn(record, checked) ? this.unseal(checked, record[checked]!) : null;
  }

  async set(name: string, value: string): Promise<void> {
    const checked = checkSecretName(name);
    const sealed = this.seal(checked, value);
    const record = this.readRecord();
    record[checked] = sealed;
    this.writeRecord(record);
  }

  async delete(name: string): Promise<boolean> {
    const record = this.readRecord();
    if (!Object.hasOwn(record, name)) return false;
    delete record[name];
    this.writeRecord(record);
    return true;
  }

  async names(): Promise<string[]> {
    return Object.keys(this.readRecord()).sort();
  }
}
