import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { HttpApi } from "./api/http";
import { I18nProvider } from "./i18n";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nProvider initial={navigator.language.startsWith("zh") ? "zh-CN" : "en"}>
        <App api={new HttpApi()} />
      </I18nProvider>
    </StrictMode>,
  );
}
