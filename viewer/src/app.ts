// What the panels share: the project, the map, the current result and a few app-wide actions.
// Each panel is a module (panels/*.ts) that renders into its own element and re-renders on a
// language change.

import type { AnalysisInfo, AnalysisResult, Comparison, LayerInfo, Me, Row, StoredScenario } from './api';
import type { BreakMethod } from './breaks';
import type { LegendSpec } from './legend';
import type { MapView } from './map';

export type Tab = 'layers' | 'analysis' | 'results' | 'scenarios' | 'compare';

/** A result on the map: its rows by id, the zone names, how it is classed. */
export interface ResultView {
  result: AnalysisResult;
  /** What the analysis says about itself (labels, formats, palettes of its columns). */
  info: AnalysisInfo | undefined;
  /** The params as sent (index reasons need the indicators' `per`). */
  params: Record<string, unknown>;
  /** The scenario the result ran on (none: the baseline). */
  scenario?: StoredScenario;
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
  /** The legend of a comparison's delta map (set by the compare panel). */
  deltaLegend: LegendSpec | null;
  /** Who the token in use belongs to (`GET /me`); role null without a token. */
  me: Me;
  /** The scenarios of the project, as last listed (the scenarios panel keeps it fresh). */
  scenarios: StoredScenario[];
  /** The scenario being edited, if any. */
  scenarioId: string | null;
  /** The last comparison and the stored scenarios it compared. */
  comparison: { cmp: Comparison; scenarios: StoredScenario[] } | null;
  /** Shows a comparison in the compare panel. */
  showComparison(cmp: Comparison, scenarios: StoredScenario[]): void;
  /** Re-reads `GET /me` after a sign-in or sign-out. */
  refreshMe(): Promise<void>;
  /** Extra buttons for the detail panel of a clicked feature (e.g. "remove in scenario"). */
  featureActions: Array<(layer: string, feature: GeoJSON.Feature) => HTMLElement | null>;
  showError(e: unknown): void;
  selectTab(tab: Tab): void;
  /** Puts a new result on the map and in the results panel. */
  showResult(result: AnalysisResult, params: Record<string, unknown>, scenario?: StoredScenario): Promise<void>;
  /** Re-classes the current result (field, method, classes changed). */
  restyleResult(): void;
  /** Selects a feature: highlight, detail panel, table row; `fly` moves the camera. */
  selectFeature(layer: string, id: string, fly: boolean, hit?: GeoJSON.Feature): void;
  /** The sidebar tab shown. */
  tab(): Tab;
  refreshLegends(): void;
  on(event: AppEvent, f: () => void): void;
  emit(event: AppEvent): void;
}

export type AppEvent = 'result' | 'selection' | 'lang' | 'auth' | 'scenarios' | 'comparison' | 'tab';
