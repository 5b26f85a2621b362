/**
 * Render vega-lite specifications to standalone SVG strings in Node (no browser, no network):
 * vega-lite compiles to vega, a headless vega View renders SVG. Text is measured with vega's
 * built-in estimates (no canvas package needed).
 */
import * as vl from 'vega-lite';
import * as vega from 'vega';

export type VegaLiteSpec = vl.TopLevelSpec;

/** SVG markup of a vega-lite spec. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
