// ort_check.js - runs models through ONNX Runtime (onnxruntime-node) for
// run_ort.py, which compares the results with spcc's.
//
//   node ort_check.js ORT_DIR --probe MODEL   loads the native binding and one model
//   node ort_check.js ORT_DIR JOBS.json       runs every job of the list
//
// ORT_DIR holds node_modules/onnxruntime-node. Each job is {model, inputs:
// [{name, dims, file}], out}: inputs are raw little-endian f32 files; the
// outputs go to OUT/output_K.f32 with OUT/outputs.json ([{name, dims}] in
// the model's output order), or the error to OUT/error.txt. Exit status 0
// unless the binding itself cannot be loaded.
'use strict';
const fs = require('fs');
const path = require('path');

function loadOrt(dir) {
  return require(path.join(path.resolve(dir), 'node_modules', 'onnxruntime-node'));
}

function readF32(file) {
  const buf = fs.readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

async function runJob(ort, job) {
  fs.mkdirSync(job.out, { recursive: true });
  try {
    const session = await ort.InferenceSession.create(job.model);
    const feeds = {};
    for (const inp of job.inputs) feeds[inp.name] = new ort.Tensor('float32', readF32(inp.file), inp.dims);
    const results = await session.run(feeds);
    const meta = session.outputNames.map((name, k) => {
      const t = results[name];
      fs.writeFileSync(path.join(job.out, `output_${k}.f32`), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      return { name, dims: t.dims };
    });
    fs.writeFileSync(path.join(job.out, 'outputs.json'), JSON.stringify(meta));
  } catch (e) {
    fs.writeFileSync(path.join(job.out, 'error.txt'), String(e && e.message ? e.message : e));
  }
}

async function main() {
  const [dir, arg, model] = process.argv.slice(2);
  let ort;
  try {
    ort = loadOrt(dir);
  } catch (e) {
    console.error(`ort_check: cannot load onnxruntime-node from ${dir}: ${e.message}`);
    process.exit(1);
  }
  if (arg === '--probe') {
    const session = await ort.InferenceSession.create(model);
    console.log(`onnxruntime-node ${ort.env.versions.node}: native binding loaded, ` +
                `model inputs ${session.inputNames.join(',')}`);
    return;
  }
  for (const job of JSON.parse(fs.readFileSync(arg, 'utf8'))) await runJob(ort, job);
}

main().catch((e) => {
  console.error(`ort_check: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
