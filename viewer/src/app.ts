// What the panels share: the project, the map, the current result and a few app-wide actions.
// Each panel is a module (panels/*.ts) that renders into its own element and re-renders on a
// language change; scenarios and compare (issue 6) slot in as further panels.

import type { AnalysisInfo, AnalysisResult, LayerInfo, Row } from './api';
import type { BreakMethod } from './breaks';
import type { LegendSpec } from './legend';
import type { MapView } from './map';

export type Tab = 'layers' | 'analysis' | 'results';

/** A result on the map: its rows by id, the zone names, how it is classed. */
export interface ResultView {
  result: AnalysisResult;
  /** The params as sent (index reasons need the indicators' `per`). */
  params: Record<string, unknown>;
  rowsById: Map<string, Row>;
  names: Map<string, string>;
  /** Row features joined to the row layer's geometry. */
  features: GeoJSON.FeatureCollection | null;
  field: string;
  method: BreakMethod;
  classes: number;
  breaks: number[];
  colors: string[];
}

export interface App {
  projectName: string;
  layers: LayerInfo[];
  analyses: AnalysisInfo[];
  map: MapView;
  result: ResultView | null;
  /** Legends of layer choropleths (set by the layers panel). */
  layerLegends: LegendSpec[];
  showError(e: unknown): void;
  selectTab(tab: Tab): void;
  /** Puts a new result on the map and in the results panel. */
  showResult(result: AnalysisResult, params: Record<string, unknown>): Promise<void>;
  /** Re-classes the current result (field, method, classes changed). */
  restyleResult(): void;
  /** Selects a feature: highlight, detail panel, table row; `fly` moves the camera. */
  selectFeature(layer: string, id: string, fly: boolean): void;
  refreshLegends(): void;
  on(event: AppEvent, f: () => void): void;
  emit(event: AppEvent): void;
}

export type AppEvent = 'result' | 'selection' | 'lang';
