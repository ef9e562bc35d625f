/**
 * Apache ECharts, only the parts the console uses (esbuild drops the rest): line and bar
 * charts for the overview, a Sankey diagram for flows, and a world map. Rendered as SVG, which
 * stays sharp at any zoom. The map's geometry is world-atlas's 1:110m countries, bundled.
 */
import { BarChart, LineChart, MapChart, SankeyChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { iso31661NumericToAlpha2 } from 'iso-3166/1-n-to-1-a2';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries from 'world-atlas/countries-110m.json';

echarts.use([BarChart, LineChart, MapChart, SankeyChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

export type EChartsOption = echarts.EChartsCoreOption;
export type Chart = echarts.ECharts;

const live = new Set<Chart>();
window.addEventListener('resize', () => live.forEach((c) => c.resize()));

/** A chart in `el`; charts of the previous view are disposed when a new view renders. */
export function chart(el: HTMLElement, option: EChartsOption): Chart {
  const c = echarts.init(el, undefined, { renderer: 'svg' });
  c.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option });
  live.add(c);
  return c;
}

export function disposeCharts(): void {
  live.forEach((c) => c.dispose());
  live.clear();
}

let mapReady = false;
const ANTARCTICA = '010';

/** Registers the world map once; its regions are named by ISO 3166-1 alpha-2 code, as collections' countries are. */
export function worldMap(): string {
  if (!mapReady) {
    const topology = countries as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
    const geo = feature(topology, topology.objects.countries);
    // Antarctica is no party's country, and would take a fifth of the map's height.
    geo.features = geo.features.filter((f) => f.id !== ANTARCTICA);
    for (const f of geo.features) {
      const code = iso31661NumericToAlpha2[String(f.id)];
      f.properties = { name: code ?? f.properties?.name ?? '' };
      if (f.geometry.type === 'Polygon') f.geometry.coordinates = f.geometry.coordinates.map(unwrap);
      else if (f.geometry.type === 'MultiPolygon') f.geometry.coordinates = f.geometry.coordinates.map((p) => p.map(unwrap));
    }
    echarts.registerMap('world', geo as never);
    mapReady = true;
  }
  return 'world';
}

/**
 * A ring that crosses the antimeridian (eastern Russia, Fiji) would be drawn as a line across
 * the whole map: its points on the far side are pinned to ±180° instead (a sliver is lost).
 */
function unwrap(ring: number[][]): number[][] {
  const crosses = ring.some((p, i) => i > 0 && Math.abs((p[0] ?? 0) - (ring[i - 1]?.[0] ?? 0)) > 180);
  if (!crosses) return ring;
  const east = ring.reduce((sum, [lon = 0]) => sum + lon, 0) > 0;
  return ring.map(([lon = 0, lat = 0]) => [east ? (lon < 0 ? 180 : lon) : lon > 0 ? -180 : lon, lat]);
}

/** Colour-blind-safe series colours (Okabe–Ito). */
export const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#f0e442', '#000000'];
