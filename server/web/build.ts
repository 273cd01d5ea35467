// Builds the browser client into dist/: one esbuild bundle plus the static files it needs.
import { build } from 'esbuild'
import { copyFile, mkdir, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const webDir = path.dirname(fileURLToPath(import.meta.url))
const distDir = path.join(webDir, 'dist')

// Everything the page loads besides app.js; the appliance runs in closed networks, so nothing comes
// from a CDN.
const staticFiles = ['index.html', 'styles.css', 'icon.svg']

export interface BuildWebOptions {
  /**
   * Write dist/app.js.map, for debugging in a checkout. Off by default: the server never serves maps
   * (server/routes/web.ts), and a kit has no use for the client's source.
   */
  sourceMap?: boolean
}

/**
 * buildWeb bundles src/main.ts into dist/app.js and copies the static files beside it. It replaces
 * dist/ entirely, so a stale file never survives a build. Throws on a compile error.
 */
export async function buildWeb(options: BuildWebOptions = {}): Promise<void> {
  await rm(distDir, { recursive: true, force: true })
  await mkdir(distDir, { recursive: true })
  await build({
    entryPoints: [path.join(webDir, 'src', 'main.ts')],
    outfile: path.join(distDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: options.sourceMap === true,
    logLevel: 'warning',
  })
  await Promise.all(staticFiles.map((file) => copyFile(path.join(webDir, file), path.join(distDir, file))))
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now()
  await buildWeb({ sourceMap: process.argv.includes('--sourcemap') })
  console.log(`web client built into ${path.relative(process.cwd(), distDir) || distDir} in ${Math.round(performance.now() - started)} ms`)
}
