// The check-in camera (/events/{id}/check-in): reads tickets' QR codes with zxing-wasm's
// reader (vendored by the build) and checks each holder in, or out when the page scans
// departures, through the API, saying whom.
// Without JavaScript or a camera the page's search by name does the same job.
(() => {
  'use strict';
  const scanner = document.getElementById('scanner');
  if (!scanner || !window.ZXingWASM || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  const { eventId, csrf, wasm } = scanner.dataset;
  window.ZXingWASM.prepareZXingModule({
    overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? wasm : prefix + path) },
  });
  const start = document.getElementById('start-camera');
  const video = document.getElementById('camera');
  const status = document.getElementById('scan-status');
  const done = document.getElementById('checked-in-list');
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let last = '';
  let lastAt = 0;
  scanner.hidden = false;

  const say = (text) => { status.textContent = text; };

  start.addEventListener('click', async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      start.hidden = true;
      say('Point the camera at a ticket\'s QR code.');
      scan();
    } catch (error) {
      say(`The camera could not be started (${error.message}). Find people by name below.`);
    }
  });

  async function scan() {
    if (video.readyState >= 2 && video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      try {
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const [found] = await window.ZXingWASM.readBarcodes(image, { formats: ['QRCode'], maxNumberOfSymbols: 1 });
        if (found && found.isValid) await checkIn(found.text);
      } catch (error) {
        say(`The picture could not be read (${error.message}).`);
      }
    }
    setTimeout(scan, 200);
  }

  async function checkIn(text) {
    const direction = document.querySelector('input[name="direction"]:checked').value;
    // The same ticket stays in view for a while: it is sent once every few seconds at most.
    if (`${direction} ${text}` === last && Date.now() - lastAt < 4000) return;
    last = `${direction} ${text}`;
    lastAt = Date.now();
    let answer;
    try {
      answer = await fetch(`/api/v1/events/${eventId}/check-in`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ ticket: text, direction }),
      });
    } catch (error) {
      say(`Not checked in: the server could not be reached (${error.message}).`);
      return;
    }
    const body = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      say(`Not checked in: ${(body.error && body.error.message) || answer.statusText}`);
      return;
    }
    const { name, attended_minutes: minutes, pdh_earned: pdh } = body.registration;
    const measured = minutes === undefined ? '' : ` (${minutes} minutes in, ${pdh} PDH)`;
    const line = {
      'arrival true': `Checked in: ${name}`,
      'arrival false': `${name} is already checked in.`,
      'departure true': `Checked out: ${name}${measured}`,
      'departure false': `${name} was not checked in.`,
    }[`${body.direction} ${body.recorded}`];
    say(line);
    const item = document.createElement('li');
    item.textContent = line;
    done.prepend(item);
  }
})();
