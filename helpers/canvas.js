// The front end of helpers/canvas.py's DrawCanvas (10_your_own_digits): a square canvas to draw a
// digit on, white ink on black like MNIST, with Clear, Undo and a pen-width slider.
// A plain ES module for anywidget, no build step. Pointer Events cover a mouse, a finger and a pen.
// The Python side owns the drawing: `strokes` is sent to it once per finished stroke, and every
// change that comes back from it (clear(), undo(), a new list) is drawn again from scratch.

const round1 = (v) => Math.round(v * 10) / 10;

function button(label, title) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.title = title;
  b.className = `digits-canvas-${label.toLowerCase()}`;
  return b;
}

function render({ model, el }) {
  el.classList.add("digits-canvas");
  const canvas = document.createElement("canvas");
  canvas.setAttribute("aria-label", "Draw a digit here");
  const ctx = canvas.getContext("2d");

  const clear = button("Clear", "Wipe the canvas");
  const undo = button("Undo", "Take back the last stroke");
  const pen = document.createElement("input");
  Object.assign(pen, { type: "range", min: 2, max: 40, step: 1, title: "Pen width (pixels)" });
  pen.className = "digits-canvas-pen";
  const penLabel = document.createElement("label");
  penLabel.append("pen ", pen);
  const bar = document.createElement("div");
  bar.className = "digits-canvas-bar";
  bar.append(clear, undo, penLabel);
  el.append(canvas, bar);

  let current = null; // the stroke being drawn now: [[x, y], ...], not yet sent to Python

  function setUp() {
    const size = model.get("size");
    if (canvas.width !== size) {
      canvas.width = canvas.height = size;
      canvas.style.width = `${size}px`;
    }
    ctx.lineWidth = model.get("pen_width");
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.strokeStyle = ctx.fillStyle = "white";
  }

  function drawStroke(points) {
    if (points.length === 1) { // a tap: a dot as wide as the pen
      ctx.beginPath();
      ctx.arc(points[0][0], points[0][1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(points[0][0], points[0][1]);
    for (const [x, y] of points.slice(1)) ctx.lineTo(x, y);
    ctx.stroke();
  }

  function redraw() {
    setUp();
    ctx.save();
    ctx.fillStyle = "black";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.restore();
    for (const s of model.get("strokes")) if (s.length) drawStroke(s);
    if (current) drawStroke(current);
    pen.value = model.get("pen_width");
  }

  function pointAt(event) { // canvas pixels, even when CSS shows the canvas smaller or larger
    const r = canvas.getBoundingClientRect();
    const k = canvas.width / (r.width || canvas.width);
    return [round1((event.clientX - r.left) * k), round1((event.clientY - r.top) * k)];
  }

  function send(strokes) {
    model.set("strokes", strokes);
    model.save_changes();
  }

  function down(event) {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [pointAt(event)];
    drawStroke(current);
  }

  function move(event) {
    if (!current) return;
    const p = pointAt(event), last = current[current.length - 1];
    if (p[0] === last[0] && p[1] === last[1]) return;
    current.push(p);
    drawStroke([last, p]); // only the new piece; redraw() repaints everything when Python answers
  }

  function up() {
    if (!current) return;
    const stroke = current;
    current = null;
    send([...model.get("strokes"), stroke]);
  }

  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  clear.addEventListener("click", () => send([]));
  undo.addEventListener("click", () => send(model.get("strokes").slice(0, -1)));
  pen.addEventListener("input", () => {
    model.set("pen_width", Number(pen.value));
    model.save_changes();
  });

  const events = ["change:strokes", "change:pen_width", "change:size"];
  for (const name of events) model.on(name, redraw);
  redraw();
  model.set("rendered", true); // lets a notebook check that custom widgets can be shown here
  model.save_changes();

  return () => { for (const name of events) model.off(name, redraw); };
}

export default { render };
