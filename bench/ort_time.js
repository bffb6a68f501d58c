// ort_time.js MODEL.onnx ITERS INPUT_NAME=FILE.raw:d0,d1,... - median time of
// one ONNX Runtime inference (1 thread, all graph optimizations), printed
// as milliseconds on stdout. Inputs are raw little-endian f32.
const ort = require('onnxruntime-node');
const fs = require('fs');

async function main() {
  const [model, iters, ...specs] = process.argv.slice(2);
  const feeds = {};
  for (const s of specs) {
    const [name, rest] = s.split('=');
    const [file, dims] = rest.split(':');
    const buf = fs.readFileSync(file);
    const data = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    feeds[name] = new ort.Tensor('float32', data, dims.split(',').map(Number));
  }
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all'});
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(iters); i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(times[Math.floor(times.length / 2)].toFixed(4));
}
main().catch((e) => { console.error(`ort_time: ${e.message}`); process.exit(1); });
