/**
 * Line charts for the benchmark sections: a Vega-Lite spec per panel, rendered to SVG by Vega
 * (headless, no canvas) and rasterised to PNG by resvg (fonts: the system's, e.g. DejaVu Sans).
 */
import fs from 'node:fs'
import path from 'node:path'

export interface Series {
  /** colour */
  series: string
  /** line style within a colour: in ascending order, the first value solid, the second dashed (say so in the title) */
  stat?: string
  x: number
  y: number
}

export interface Panel {
  title: string
  yTitle: string
  /** log for measures spanning orders of magnitude */
  yScale: 'linear' | 'log'
  points: Series[]
}

interface VegaModule {
  parse(spec: unknown): unknown
  View: new (runtime: unknown, opts: { renderer: 'none' }) => { toSVG(scale?: number): Promise<string>; finalize(): void }
}

interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown }
}

// vega 6 and vega-lite 6 are ES modules with top-level await: require() (what tsc's CommonJS
// output turns `import()` into) refuses them, so they are loaded with a real dynamic import.
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>

function panelSpec(p: Panel, xTitle: string): unknown {
  const xs = p.points.map((d) => d.x)
  const dashed = p.points.some((d) => d.stat !== undefined)
  return {
    title: p.title,
    width: 330,
    height: 210,
    data: { values: p.points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, scale: { type: 'log', domain: [Math.min(...xs), Math.max(...xs)] }, axis: { format: '~s' } },
      y: { field: 'y', type: 'quantitative', title: p.yTitle, scale: p.yScale === 'log' ? { type: 'log' } : { type: 'linear', zero: true } },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2 } },
      // no legend for the dash (its stroke symbols do not survive the SVG → PNG step): the panel title says which is which
      ...(dashed ? { strokeDash: { field: 'stat', type: 'nominal', legend: null, sort: 'ascending' } } : {}),
    },
  }
}

/** Renders the panels in a grid of `columns` to a PNG at `file` (directories created). */
export async function renderChart(file: string, title: string, xTitle: string, panels: Panel[], columns = 2): Promise<void> {
  const vega = await importEsm<VegaModule>('vega')
  const vl = await importEsm<VegaLiteModule>('vega-lite')
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 15 },
    columns,
    concat: panels.map((p) => panelSpec(p, xTitle)),
    resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
    config: { font: 'DejaVu Sans', view: { stroke: '#ddd' } },
  }
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js')
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng()
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, png)
}
