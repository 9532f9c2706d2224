import { recorded } from './state.mjs';

class Metric {
  constructor(name) {
    this.name = name;
  }
  add(value, tags) {
    recorded.metrics.push({ metric: this.name, value, tags });
  }
}
export class Trend extends Metric {}
export class Counter extends Metric {}
