// "Page not found": the server answers unknown console paths with this page (HTTP 404).

import { startPage } from "../components/shell.js";

await startPage({ title: "notFound.title", login: "optional" });
