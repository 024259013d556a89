// tests/e2e/s3server.js: the S3 server of the upload tests. It is s3rver (the
// npm package pinned in packaging/npm) run in-process, plus one Koa middleware
// that does what s3rver 3.7.1 leaves out: it verifies AWS Signature Version 4,
// for the Authorization header and for presigned query strings, against the
// secret in $AWS_SECRET_ACCESS_KEY, the way S3 computes it (canonical URI and
// query re-encoded per RFC 3986, signed headers, x-amz-content-sha256, scope).
// So a wrong secret is a real 403 SignatureDoesNotMatch, and every passing test
// shows caseprobe's requests carry signatures S3 would accept. It does not
// hash request bodies against x-amz-content-sha256 (s3rver streams them);
// caseprobe's ETag checks cover the bytes.
//
// Faults for the retry tests, like the simulator's cable pulls: S3_FAULTS holds
// entries "KIND COUNT REGEX" separated by ';'. The first COUNT requests whose
// "METHOD URL" matches REGEX get KIND: 503 (S3's SlowDown), 500 (InternalError),
// reset (the connection is dropped without an answer) or stall (the request is
// never read nor answered: a hung server). Each is logged as
// "fault: KIND METHOD URL".
//
// S3_LISTPARTS=N adds what s3rver lacks for resuming: ListParts (GET
// ?uploadId=, at most N parts a page, paged with part-number-marker) and
// AbortMultipartUpload (DELETE ?uploadId=), read from s3rver's own store.
// Without it the server answers 405 to both, as s3rver does.
//
// S3_TLS_KEY and S3_TLS_CERT (PEM files) serve HTTPS instead of HTTP.
//
// usage: node s3server.js S3RVER_MODULE_DIR DATA_DIR BUCKET
// prints "S3rver listening on 127.0.0.1:PORT" once it accepts connections.
'use strict';
const crypto = require('crypto');
const path = require('path');

const [moduleDir, dataDir, bucket] = process.argv.slice(2);
const S3rver = require(moduleDir);
const S3Error = require(path.join(moduleDir, 'lib', 'models', 'error'));
const secrets = { S3RVER: process.env.AWS_SECRET_ACCESS_KEY || 'S3RVER' };

const enc = s =>
  encodeURIComponent(s).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const dec = s => decodeURIComponent(s);
const sha256 = s => crypto.createHash('sha256').update(s).digest('hex');
const hmac = (k, s) => crypto.createHmac('sha256', k).update(s).digest();

function canonicalQuery(raw, dropSignature) {
  if (!raw) return '';
  return raw
    .split('&')
    .filter(p => p.length)
    .map(p => {
      const i = p.indexOf('=');
      return i < 0 ? [dec(p), ''] : [dec(p.slice(0, i)), dec(p.slice(i + 1))];
    })
    .filter(([k]) => !(dropSignature && k === 'X-Amz-Signature'))
    .map(([k, v]) => [enc(k), enc(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function verify(ctx) {
  const [rawPath, rawQuery = ''] = ctx.req.url.split(/\?(.*)/s);
  const h = ctx.req.headers;
  let cred, signedHeaders, signature, amzDate, payload, presigned;
  if (h.authorization && h.authorization.startsWith('AWS4-HMAC-SHA256 ')) {
    const parts = {};
    for (const kv of h.authorization.slice(17).split(',')) {
      const i = kv.indexOf('=');
      parts[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
    }
    cred = parts.Credential;
    signedHeaders = parts.SignedHeaders;
    signature = parts.Signature;
    amzDate = h['x-amz-date'];
    payload = h['x-amz-content-sha256'];
    if (!payload) throw new S3Error('InvalidRequest', 'Missing x-amz-content-sha256');
  } else if (/(^|&)X-Amz-Signature=/.test(rawQuery)) {
    const q = ctx.query;
    presigned = true;
    cred = q['X-Amz-Credential'];
    signedHeaders = q['X-Amz-SignedHeaders'];
    signature = q['X-Amz-Signature'];
    amzDate = q['X-Amz-Date'];
    payload = 'UNSIGNED-PAYLOAD';
  } else {
    return; // anonymous: s3rver decides
  }
  if (!cred || !signedHeaders || !signature || !amzDate)
    throw new S3Error('AuthorizationHeaderMalformed', 'incomplete SigV4 parameters');
  const [key, ...scopeParts] = cred.split('/');
  if (!(key in secrets)) return; // s3rver answers InvalidAccessKeyId
  const names = signedHeaders.split(';');
  if (!names.includes('host'))
    throw new S3Error('AccessDenied', 'the host header must be signed');
  if (!presigned) {
    const unsigned = Object.keys(h).filter(n => n.startsWith('x-amz-') && !names.includes(n));
    if (unsigned.length)
      throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed: ' + unsigned.join(', '));
  }
  const canonicalUri = rawPath.split('/').map(s => enc(dec(s))).join('/');
  const canonicalHeaders = names
    .map(n => `${n}:${String(h[n] === undefined ? '' : h[n]).trim().replace(/ +/g, ' ')}\n`)
    .join('');
  const creq = [ctx.req.method, canonicalUri, canonicalQuery(rawQuery, presigned),
    canonicalHeaders, signedHeaders, payload].join('\n');
  const scope = scopeParts.join('/');
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(creq)].join('\n');
  let k = hmac('AWS4' + secrets[key], scopeParts[0]);
  for (const p of scopeParts.slice(1)) k = hmac(k, p);
  const expected = crypto.createHmac('sha256', k).update(sts).digest('hex');
  if (expected !== signature)
    throw new S3Error('SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
}

const faults = (process.env.S3_FAULTS || '')
  .split(';')
  .filter(f => f.trim())
  .map(f => {
    const [kind, count, ...re] = f.trim().split(' ');
    return { kind, left: Number(count), re: new RegExp(re.join(' ')) };
  });

function inject(ctx) {
  const line = `${ctx.req.method} ${ctx.req.url}`;
  const f = faults.find(x => x.left > 0 && x.re.test(line));
  if (!f) return false;
  f.left--;
  console.log(`fault: ${f.kind} ${line}`);
  if (f.kind === 'stall') {
    ctx.respond = false;
    ctx.req.pause();
    return true;
  }
  if (f.kind === 'reset') {
    ctx.respond = false;
    ctx.req.socket.destroy();
    return true;
  }
  if (f.kind === '503') throw new S3Error('SlowDown', 'Please reduce your request rate.');
  throw new S3Error('InternalError', 'We encountered an internal error. Please try again.');
}

const fs = require('fs');
const listMax = Number(process.env.S3_LISTPARTS || 0);

function uploadDir(ctx) {
  const bucketName = ctx.path.split('/')[1];
  const id = String(ctx.query.uploadId);
  if (!/^[0-9a-f]+$/.test(id)) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
  return path.join(server.store.getResourcePath(bucketName, undefined, 'uploads'), id);
}

// ListParts and AbortMultipartUpload over s3rver's store; true when answered.
function multipartExtras(ctx) {
  if (!listMax || !('uploadId' in ctx.query) || 'partNumber' in ctx.query) return false;
  if (ctx.method !== 'GET' && ctx.method !== 'DELETE') return false;
  const dir = uploadDir(ctx);
  if (!fs.existsSync(dir)) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
  if (ctx.method === 'DELETE') {
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`abort: ${ctx.query.uploadId}`);
    ctx.status = 204;
    return true;
  }
  const marker = Number(ctx.query['part-number-marker'] || 0);
  const nums = fs.readdirSync(dir).filter(n => /^[0-9]+$/.test(n)).map(Number)
    .filter(n => n > marker && fs.existsSync(path.join(dir, `${n}.md5`))).sort((a, b) => a - b);
  const page = nums.slice(0, listMax);
  const truncated = nums.length > page.length;
  const parts = page.map(n => {
    const md5 = fs.readFileSync(path.join(dir, `${n}.md5`), 'utf8');
    const size = fs.statSync(path.join(dir, String(n))).size;
    return `<Part><PartNumber>${n}</PartNumber><ETag>&quot;${md5}&quot;</ETag><Size>${size}</Size></Part>`;
  }).join('');
  console.log(`listparts: ${ctx.query.uploadId} after ${marker}: ${page.join(',')}`);
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><UploadId>${ctx.query.uploadId}</UploadId>` +
    `<PartNumberMarker>${marker}</PartNumberMarker>` +
    `<NextPartNumberMarker>${page.length ? page[page.length - 1] : marker}</NextPartNumberMarker>` +
    `<MaxParts>${listMax}</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts}</ListPartsResult>`;
  return true;
}

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: dataDir,
  silent: false,
  configureBuckets: [{ name: bucket, configs: [] }],
  ...(process.env.S3_TLS_KEY
    ? { key: fs.readFileSync(process.env.S3_TLS_KEY), cert: fs.readFileSync(process.env.S3_TLS_CERT) }
    : {}),
});
// After s3rver's logger and XML encoder, before its router.
server.middleware.splice(2, 0, async (ctx, next) => {
  if (inject(ctx)) return undefined;
  verify(ctx);
  if (multipartExtras(ctx)) return undefined;
  return next();
});
server.run().then(({ address, port }) => {
  console.log('S3rver listening on %s:%d', address, port);
});
