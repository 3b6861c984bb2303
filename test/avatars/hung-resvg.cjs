// A rasteriser module that never returns from a render: the one failure the real resvg cannot be
// made to show on demand (a hung native call). Every other rasteriser test uses @resvg/resvg-js.
class Resvg {
  render() {
    for (;;);
  }
}
module.exports = { Resvg };
