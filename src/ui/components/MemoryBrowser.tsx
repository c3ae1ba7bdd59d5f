import { useMemo, useState, type FormEvent } from 'react';
import { useMeshStore } from '../store/useMeshStore';
import { formatDuration } from './format';
import { SyncIndicators } from './SyncIndicators';

/** A value typed into the form: JSON when it parses, else the text itself. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type FormField = 'namespace' | 'key' | 'value' | 'ttl';

const FORM_FIELDS: { name: FormField; label: string; placeholder: string; className?: string }[] = [
  { name: 'namespace', label: 'namespace', placeholder: 'namespace' },
  { name: 'key', label: 'key', placeholder: 'key' },
  { name: 'value', label: 'value (JSON or text)', placeholder: 'value (JSON or text)' },
  { name: 'ttl', label: 'TTL in seconds', placeholder: 'TTL s', className: 'memory-ttl' },
];

function shortJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * The shared memory store: entries by namespace with their last writer and TTL countdown, a
 * filter, and a form to store, edit (fill the form from a row) and delete.
 */
export function MemoryBrowser() {
  const memory = useMeshStore((s) => s.memory);
  const commands = useMeshStore((s) => s.memoryCommands);
  const [namespaceFilter, setNamespaceFilter] = useState('');
  const [text, setText] = useState('');
  const [form, setForm] = useState<Record<FormField, string>>({
    namespace: 'demo',
    key: '',
    value: '',
    ttl: '',
  });
  const [error, setError] = useState<string | null>(null);

  const rows = useMemo(() => {
    if (memory === null) return [];
    const needle = text.toLowerCase();
    return memory.entries.filter(
      (e) =>
        (namespaceFilter === '' || e.namespace === namespaceFilter) &&
        (needle === '' || `${e.key}\n${JSON.stringify(e.value)}`.toLowerCase().includes(needle)),
    );
  }, [memory, namespaceFilter, text]);

  if (memory === null) return <p className="placeholder">loading shared state…</p>;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (commands === null) return;
    const ttl = form.ttl.trim() === '' ? null : Number(form.ttl);
    commands
      .store(form.namespace, form.key, parseValue(form.value), ttl)
      .then(() => setError(null))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  const remove = (namespace: string, key: string) => {
    commands?.delete(namespace, key).catch((e: unknown) => setError(String(e)));
  };

  return (
    <div className="memory-browser" data-testid="memory-browser">
      <SyncIndicators peers={memory.peers} rejected={memory.rejectedUpdates} />
      <form className="memory-form" onSubmit={submit}>
        {FORM_FIELDS.map((field) => (
          <input
            key={field.name}
            aria-label={field.label}
            placeholder={field.placeholder}
            className={field.className}
            data-testid={`memory-${field.name}`}
            value={form[field.name]}
            onChange={(e) => setForm({ ...form, [field.name]: e.target.value })}
          />
        ))}
        <button type="submit" data-testid="memory-store" disabled={commands === null}>
          Store
        </button>
      </form>
      {error !== null && (
        <p className="memory-error" role="alert" data-testid="memory-error">
          {error}
        </p>
      )}
      <div className="memory-filters">
        <select
          aria-label="namespace filter"
          value={namespaceFilter}
          onChange={(e) => setNamespaceFilter(e.target.value)}
        >
          <option value="">all namespaces</option>
          {memory.namespaces.map((n) => (
            <option key={n.namespace} value={n.namespace}>
              {n.namespace} ({n.count})
            </option>
          ))}
        </select>
        <input
          aria-label="search keys and values"
          placeholder="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {memory.truncated && <span className="muted">first {memory.entries.length} shown</span>}
      </div>
      <table className="peer-table memory-table">
        <thead>
          <tr>
            <th>Namespace</th>
            <th>Key</th>
            <th>Value</th>
            <th>Writer</th>
            <th className="num">TTL</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr
              key={`${e.namespace}\u0000${e.key}`}
              data-testid="memory-row"
              data-namespace={e.namespace}
              data-key={e.key}
            >
              <td className="mono">{e.namespace}</td>
              <td className="mono">{e.key}</td>
              <td className="mono" title={JSON.stringify(e.value)}>
                {shortJson(e.value)}
              </td>
              <td
                className="mono"
                title={`${e.writer} at ${new Date(e.writtenAtMs).toISOString()}`}
              >
                {e.writer.slice(0, 8)}
              </td>
              <td className="num mono">
                {e.expiresAtMs === null ? '—' : formatDuration(e.expiresAtMs - memory.nowMs)}
              </td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    setForm({
                      namespace: e.namespace,
                      key: e.key,
                      value: JSON.stringify(e.value),
                      ttl: '',
                    })
                  }
                >
                  Edit
                </button>
                <button
                  type="button"
                  data-testid="memory-delete"
                  onClick={() => remove(e.namespace, e.key)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
