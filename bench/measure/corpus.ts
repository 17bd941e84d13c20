/**
 * What a measurement needs to know about a corpus: where it is, what to call it in the table,
 * and how many files it holds (as the generator or a peer counted them; the sidecar's own count
 * replaces it where the sidecar indexed the corpus).
 */
export interface Corpus {
  label: string;
  root: string;
  files: number;
  /** 'npm' and 'generated' get the figures the issue quotes; 'custom' is `--corpus <dir>`. */
  kind: 'npm' | 'generated' | 'custom';
}
