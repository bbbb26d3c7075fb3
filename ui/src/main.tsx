import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { TauriFieldApi } from "./api/field";
import { HttpApi } from "./api/http";
import { FieldApp } from "./field/FieldApp";
import { I18nProvider } from "./i18n";
import "./style.css";

// One code base: inside the Tauri app the field screens run on the device
// store; in a browser the server's web console runs on HTTP /api/v1.
const inApp = "__TAURI_INTERNALS__" in window;
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nProvider initial={navigator.language.startsWith("zh") ? "zh-CN" : "en"}>
        {inApp ? <FieldApp api={new TauriFieldApi()} /> : <App api={new HttpApi()} />}
      </I18nProvider>
    </StrictMode>,
  );
}
