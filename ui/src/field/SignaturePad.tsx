// A signature drawn with a finger or a mouse, kept as a PNG.

import { useRef } from "react";
import { useI18n } from "../i18n";

export function SignaturePad({ onDone }: { onDone: (png: Blob) => void }) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const inked = useRef(false);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return [((e.clientX - r.left) * e.currentTarget.width) / r.width, ((e.clientY - r.top) * e.currentTarget.height) / r.height];
  };
  return (
    <div className="signature">
      <canvas
        ref={canvas}
        width={600}
        height={200}
        aria-label={t("form.signHere")}
        onPointerDown={(e) => {
          const ctx = e.currentTarget.getContext("2d");
          if (!ctx) return;
          drawing.current = true;
          const [x, y] = point(e);
          ctx.lineWidth = 3;
          ctx.lineCap = "round";
          ctx.beginPath();
          ctx.moveTo(x, y);
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const ctx = e.currentTarget.getContext("2d");
          const [x, y] = point(e);
          ctx?.lineTo(x, y);
          ctx?.stroke();
          inked.current = true;
        }}
        onPointerUp={() => (drawing.current = false)}
      />
      <div className="row">
        <button
          type="button"
          onClick={() => {
            const c = canvas.current;
            c?.getContext("2d")?.clearRect(0, 0, c.width, c.height);
            inked.current = false;
          }}
        >
          {t("form.signClear")}
        </button>
        <button
          type="button"
          onClick={() => inked.current && canvas.current?.toBlob((b) => b && onDone(b), "image/png")}
        >
          {t("form.signSave")}
        </button>
      </div>
    </div>
  );
}
