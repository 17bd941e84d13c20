/**
 * The page's script: plain DOM, no framework, no Node. Everything it knows about the folder comes
 * through `window.workspace` (the preload's capabilities), as folder-relative paths. Matches are
 * drawn with text nodes and <mark>, never innerHTML, so a file name or a line cannot inject markup.
 */
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const quickOpen = $<HTMLInputElement>('quick-open');
const searchBox = $<HTMLInputElement>('search');
const statusLine = $('status');

/** `text` with the characters in `[start, end)` ranges wrapped in <mark>. */
function highlighted(text: string, ranges: Array<[number, number]>): DocumentFragment {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || start >= text.length) continue;
    out.append(text.slice(at, start));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(start, end);
    out.append(mark);
    at = end;
  }
  out.append(text.slice(at));
  return out;
}

function item(content: DocumentFragment, file: string): HTMLLIElement {
  const li = document.createElement('li');
  li.append(content);
  li.addEventListener('click', () => void preview(file));
  return li;
}

async function preview(file: string): Promise<void> {
  try {
    const p = await window.workspace.readFile(file);
    $('preview').textContent = p.truncated ? `${p.text}\n…` : p.text;
  } catch (e) {
    statusLine.textContent = String(e);
  }
}

/** Runs `task` on input, dropping answers that arrive after a newer query was typed. */
function onQuery(input: HTMLInputElement, task: (query: string) => Promise<void>): void {
  let latest = 0;
  input.addEventListener('input', () => {
    const mine = ++latest;
    void task(input.value).catch((e: unknown) => {
      if (mine === latest) statusLine.textContent = String(e);
    });
  });
}

onQuery(quickOpen, async (query) => {
  const { matches, indexing } = await window.workspace.findFiles(query);
  const positions = (m: { positions: number[] }) => m.positions.map((p): [number, number] => [p, p + 1]);
  $('files').replaceChildren(...matches.map((m) => item(highlighted(m.path, positions(m)), m.path)));
  statusLine.textContent = indexing ? 'Indexing… (best of the files found so far)' : `${matches.length} files`;
});

onQuery(searchBox, async (query) => {
  const { hits, truncated } = await window.workspace.search(query);
  $('hits').replaceChildren(
    ...hits.map((h) => {
      const line = document.createDocumentFragment();
      line.append(`${h.path}:${h.line}: `, highlighted(h.text, h.ranges));
      return item(line, h.path);
    }),
  );
  statusLine.textContent = `${hits.length} lines${truncated ? ' (more not shown)' : ''}`;
});

let unsubscribe: (() => void) | undefined;
$('open').addEventListener('click', async () => {
  const folder = await window.workspace.openFolder();
  if (!folder) return;
  $('folder').textContent = folder.name;
  quickOpen.disabled = searchBox.disabled = false;
  unsubscribe?.();
  unsubscribe = window.workspace.onDidChange((n) => (statusLine.textContent = `Changed: ${n.paths.slice(0, 3).join(', ')}`));
  quickOpen.focus();
});
