// What the preload put on the page: `window.workspace`, typed by the shared contract.
interface Window {
  readonly workspace: import('../contract').WorkspaceBridge;
}
