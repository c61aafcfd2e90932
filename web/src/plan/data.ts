// What the parts plan screen reads and writes: a region's stocking plan
// with its backtest, and applying it to the depots' reorder points.
import { gql } from '../api';

export interface Level {
  reorderPoint: number;
  orderUpTo: number;
  expectedFillRate: number;
}

export interface Outcome {
  asked: number;
  served: number;
  fillRate: number;
  stockOuts: number;
  slaStockOuts: number;
  orders: number;
  inventoryValue: number;
}

export interface Line {
  depotCode: string;
  fru: string;
  description: string;
  unitPrice: number;
  onHand: number;
  catchmentOnHand: number;
  reorderPoint: number | null;
  weekly: number[];
  asked: number;
  forecast: number;
  naiveForecast: number;
  method: string;
  mase: number | null;
  naiveMase: number | null;
  pooled: boolean;
  recommended: Level;
  backtest: Outcome;
  flat: Outcome;
  why: string;
}

export interface Plan {
  region: string;
  targetFillRate: number;
  leadTimeDays: number;
  historyWeeks: number;
  trainWeeks: number;
  from: string;
  to: string;
  lines: Line[];
  flat: Outcome;
  backtest: Outcome;
}

export interface PlanInput {
  region: string;
  targetFillRate: number;
  leadTimeDays: number;
}

const outcome = 'asked served fillRate stockOuts slaStockOuts orders inventoryValue';
const planFields = `region targetFillRate leadTimeDays historyWeeks trainWeeks from to
  flat { ${outcome} } backtest { ${outcome} }
  lines { depotCode fru description unitPrice onHand catchmentOnHand reorderPoint weekly asked forecast naiveForecast method mase naiveMase
    pooled recommended { reorderPoint orderUpTo expectedFillRate } backtest { ${outcome} } flat { ${outcome} } why }`;

export async function loadPlan(input: PlanInput): Promise<Plan> {
  return (await gql<{ partsPlan: Plan }>(`query($i: PartsPlanInput!) { partsPlan(input: $i) { ${planFields} } }`, { i: input })).partsPlan;
}

export async function applyPlan(input: PlanInput): Promise<{ plan: Plan; changed: number }> {
  const r = await gql<{ applyPartsPlan: { plan: Plan; changed: { id: number }[] } }>(
    `mutation($i: PartsPlanInput!) { applyPartsPlan(input: $i) { plan { ${planFields} } changed { id } } }`, { i: input });
  return { plan: r.applyPartsPlan.plan, changed: r.applyPartsPlan.changed.length };
}
