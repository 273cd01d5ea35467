// The arithmetic of the tile grid: how many columns and how big, so tiles fill the space without scroll.

export interface GridLayout {
  columns: number
  tileWidth: number
  tileHeight: number
}

/**
 * gridLayout picks the column count that gives the largest 16:9 tiles for `count` tiles in a
 * width x height box. In a portrait box (a phone) tiles may grow taller, up to 3:4, to use the height.
 */
export function gridLayout(count: number, width: number, height: number, gap: number): GridLayout {
  const n = Math.max(1, count)
  let best: GridLayout = { columns: 1, tileWidth: 0, tileHeight: 0 }
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns)
    const cellWidth = (width - gap * (columns - 1)) / columns
    const cellHeight = (height - gap * (rows - 1)) / rows
    const tileWidth = Math.floor(Math.min(cellWidth, (cellHeight * 16) / 9))
    if (tileWidth > best.tileWidth) best = { columns, tileWidth, tileHeight: 0 }
  }
  const rows = Math.ceil(n / best.columns)
  const cellHeight = (height - gap * (rows - 1)) / rows
  const tallest = height > width ? (best.tileWidth * 4) / 3 : (best.tileWidth * 9) / 16
  best.tileHeight = Math.max(0, Math.floor(Math.min(cellHeight, tallest)))
  return best
}
