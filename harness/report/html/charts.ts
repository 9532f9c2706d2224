import { scriptJson } from './page.ts';

/**
 * The chart code every page carries once (uPlot is inlined by page.ts): HDR-style percentile
 * curves and lines over time or over runs. Pages pass their data to `chartCall`; nothing here
 * fetches anything.
 */
export const CHART_SCRIPT = `
const PALETTE=['#0969da','#cf222e','#1a7f37','#8250df','#bc4c00','#57606a','#d4a72c'];
const PCT_SPLITS=()=>[1,2,10,100,1000,10000];
const PCT_NAMES={1:'0%',2:'50%',10:'90%',100:'99%',1000:'99.9%',10000:'99.99%'};
function chartWidth(){return Math.min(1100,document.body.clientWidth-60);}
function pctValue(u,x){return x==null?'':(100-100/x).toFixed(3)+'%';}
function msValue(u,v){return v==null?'':v.toFixed(3)+' ms';}
function drawPercentiles(id,o){
  const el=document.getElementById(id);
  if(!el||!o.curves.length)return;
  const pal=o.colors||PALETTE;
  const series=o.curves.map((c,i)=>({label:c.label,stroke:pal[i%pal.length],width:2,value:msValue}));
  new uPlot({width:chartWidth(),height:o.height||320,scales:{x:{distr:3,log:10}},
    axes:[{label:'percentile',splits:PCT_SPLITS,values:(u,v)=>v.map(x=>PCT_NAMES[x]||'')},{label:o.yLabel}],
    series:[{label:'percentile',value:pctValue},...series]},
    [o.curves[0].curve.x,...o.curves.map(c=>c.curve.y)],el);
}
function drawLines(id,o){
  const el=document.getElementById(id);
  if(!el||!o.x.length)return;
  const scales={x:{time:false}};
  const xAxis=o.integerX?{label:o.xLabel,incrs:[1,2,5,10,20,50,100],values:(u,v)=>v.map(n=>String(n))}:{label:o.xLabel};
  const axes=[xAxis,{label:o.yLabel}];
  if(o.rightLabel){scales.right={};axes.push({scale:'right',side:1,label:o.rightLabel,grid:{show:false}});}
  const series=o.lines.map((l,i)=>{
    const s={label:l.label,stroke:PALETTE[i%PALETTE.length],width:l.width||2,spanGaps:true};
    if(l.right)s.scale='right';
    if(l.dash)s.dash=l.dash;
    return s;
  });
  const hooks=o.marks&&o.marks.length?{draw:[u=>drawMarks(u,o.marks)]}:{};
  new uPlot({width:chartWidth(),height:o.height||260,scales,axes,series:[{label:o.xLabel},...series],hooks},
    [o.x,...o.lines.map(l=>l.values)],el);
}
function drawMarks(u,marks){
  const c=u.ctx;c.save();c.strokeStyle='#57606a';c.fillStyle='#57606a';c.setLineDash([3,3]);c.lineWidth=1;
  c.font=Math.round(11*devicePixelRatio)+'px system-ui,sans-serif';
  marks.forEach((m,i)=>{
    const x=Math.round(u.valToPos(m.x,'x',true));
    if(x<u.bbox.left||x>u.bbox.left+u.bbox.width)return;
    c.beginPath();c.moveTo(x,u.bbox.top);c.lineTo(x,u.bbox.top+u.bbox.height);c.stroke();
    c.fillText(m.label,x+3,u.bbox.top+(12+12*(i%3))*devicePixelRatio);
  });
  c.restore();
}
`;

export interface PercentileChart {
  curves: Array<{ label: string; curve: { x: number[]; y: number[] } }>;
  yLabel: string;
  colors?: string[];
  height?: number;
}

export interface LineChart {
  x: number[];
  xLabel: string;
  yLabel: string;
  /** A second y axis on the right, for lines marked `right`. */
  rightLabel?: string;
  /** Ticks only at whole numbers (runs, not fractions of runs). */
  integerX?: boolean;
  lines: Array<{ label: string; values: Array<number | null>; right?: boolean; dash?: number[]; width?: number }>;
  height?: number;
  /** Moments marked with a dashed vertical line and a label (a reload, a restart, a revocation). */
  marks?: Array<{ x: number; label: string }>;
}

/** The script statement that draws `chart` into the element with `id`. */
export function chartCall(
  id: string,
  chart: { kind: 'percentiles'; data: PercentileChart } | { kind: 'lines'; data: LineChart },
): string {
  const fn = chart.kind === 'percentiles' ? 'drawPercentiles' : 'drawLines';
  return `${fn}(${scriptJson(id)},${scriptJson(chart.data)});`;
}
