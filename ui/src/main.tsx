import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import { TauriFieldApi } from "./api/field";
import { HttpApi } from "./api/http";
import { FieldApp } from "./field/FieldApp";
import { I18nProvider, rememberedLocale } from "./i18n";
import "./style.css";

// One code base: inside the Tauri app the field screens run on the device
// store; in a browser the server's web console runs on HTTP /api/v1, with
// an address for every page (a link may name the language: `?lang=en`).
const inApp = "__TAURI_INTERNALS__" in window;
const lang = new URLSearchParams(location.search).get("lang");
if (lang === "en" || lang === "zh-CN") localStorage.setItem("fieldcheck.locale", lang);
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nProvider initial={rememberedLocale()} remember>
        {inApp ? (
          <FieldApp api={new TauriFieldApi()} />
        ) : (
          <BrowserRouter>
            <App api={new HttpApi()} />
          </BrowserRouter>
        )}
      </I18nProvider>
    </StrictMode>,
  );
}
