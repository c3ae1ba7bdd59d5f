import type { ReactNode } from 'react';
import type { AgentId } from '../../core/base/ids';
import { useMeshStore } from '../store/useMeshStore';
import { GroupSelect } from './GroupSelect';

/** One column of an agent table: its header and how a row fills its cell. */
export interface AgentColumn<Row> {
  header: ReactNode;
  /** Right-aligned (numbers). */
  numeric?: boolean;
  headerTitle?: string;
  cellClassName?: string;
  cellTitle?: (row: Row) => string | undefined;
  cell: (row: Row) => ReactNode;
}

export interface AgentTableProps<Row extends { id: AgentId; shortId: string }> {
  rows: readonly Row[];
  columns: readonly AgentColumn<Row>[];
  className: string;
  /** `data-testid` of every row. */
  rowTestId: string;
  /** Extra `data-*` attributes of a row, for the tests. */
  rowData: (row: Row) => Record<`data-${string}`, string>;
}

/**
 * A table with one row per agent, shared by the peer and member lists: a click selects the
 * agent (for freeze and highlighting), and in partition mode a first column picks its group.
 */
export function AgentTable<Row extends { id: AgentId; shortId: string }>({
  rows,
  columns,
  className,
  rowTestId,
  rowData,
}: AgentTableProps<Row>) {
  const selectedId = useMeshStore((s) => s.selectedId);
  const toggleSelected = useMeshStore((s) => s.toggleSelected);
  const partitionMode = useMeshStore((s) => s.partitionMode);
  return (
    <div className="table-scroll">
      <table className={className}>
        <thead>
          <tr>
            {partitionMode && <th scope="col">Group</th>}
            {columns.map((column, i) => (
              <th
                key={i}
                scope="col"
                className={column.numeric === true ? 'num' : undefined}
                title={column.headerTitle}
              >
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              className={row.id === selectedId ? 'is-selected' : undefined}
              data-testid={rowTestId}
              data-agent-id={row.id}
              {...rowData(row)}
              aria-selected={row.id === selectedId}
              onClick={() => toggleSelected(row.id)}
            >
              {partitionMode && (
                <td>
                  <GroupSelect id={row.id} label={row.shortId} />
                </td>
              )}
              {columns.map((column, i) => (
                <td key={i} className={column.cellClassName} title={column.cellTitle?.(row)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
