// A plain data table that becomes stacked cards on a phone: each cell carries its column's label,
// which the narrow layout shows beside the value (styles.css, "History" block).
import { h, type Child } from '../dom.ts'

export interface Column {
  label: string
  /** Numbers line up on the right on wide screens. */
  numeric?: boolean
  /** Short values (times) that read badly broken over two lines. */
  nowrap?: boolean
}

const cellClass = (c: Column): string | null => [c.numeric ? 'data-table__num' : '', c.nowrap ? 'data-table__nowrap' : ''].join(' ').trim() || null

/** dataRow builds one row; cells are in the order of `columns`. */
export function dataRow(columns: Column[], cells: (Child | Child[])[], attrs: Record<string, string> = {}): HTMLTableRowElement {
  return h(
    'tr',
    attrs,
    cells.map((cell, i) => {
      const column = columns[i]!
      // One wrapper per cell: on a phone the cell is a flex row of its label and this value.
      return h('td', { 'data-label': column.label, class: cellClass(column) }, h('span', { class: 'data-table__value' }, cell))
    }),
  )
}

/** dataTable returns the table (inside a wrapper that scrolls sideways if a screen is too narrow for it). */
export function dataTable(columns: Column[], rows: HTMLTableRowElement[], testid: string): { wrap: HTMLElement; body: HTMLTableSectionElement } {
  const body = h('tbody', {}, rows)
  const table = h('table', { class: 'data-table', 'data-testid': testid }, [
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: cellClass(c) }, c.label)))),
    body,
  ])
  return { wrap: h('div', { class: 'data-table__wrap' }, table), body }
}
