// node-signpdf (@signpdf): plain placeholder + P12 signer, as Node.js applications sign PDFs
const fs = require('fs');
const { plainAddPlaceholder } = require('@signpdf/placeholder-plain');
const { P12Signer } = require('@signpdf/signer-p12');
const signpdf = require('@signpdf/signpdf').default;
async function main() {
  const [,, input, output, p12, passphrase, reason] = process.argv;
  let pdf = fs.readFileSync(input);
  pdf = plainAddPlaceholder({ pdfBuffer: pdf, reason: reason || 'Phe duyet', contactInfo: '', name: 'node-signpdf', location: 'Ha Noi', signatureLength: 16384 });
  // the signing time is the wall clock (node-signpdf offers no fixed time)
  const signer = new P12Signer(fs.readFileSync(p12), { passphrase });
  fs.writeFileSync(output, await signpdf.sign(pdf, signer));
}
main().catch(e => { console.error(e); process.exit(1); });
