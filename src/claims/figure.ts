/**
 * Figure data a result hands to the report (theorems/define.ts `figures`): plain series with
 * axis metadata, so that src/report draws every result's figure without knowing the theorem.
 * Put them in `TheoremResult.details.figures`.
 */
export interface FigureAxis {
  title: string;
  /** 'log' where values span decades. */
  scale?: 'linear' | 'log';
  /** Integer ticks only (depth, width, d, k). */
  integer?: boolean;
}

export interface FigureSeries {
  /** Legend entry; series with the same name across figures get the same colour. */
  name: string;
  mark: 'line' | 'point' | 'area' | 'bar';
  points: [number, number][];
}

export interface FigureData {
  /** Stable id within the result (kebab-case). */
  id: string;
  title: string;
  /** One sentence under the figure: what to look at. */
  caption: string;
  x: FigureAxis;
  y: FigureAxis;
  series: FigureSeries[];
}
