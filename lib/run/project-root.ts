// Kept as an alias while lib/mcfd adopts lib/data/project-root; one implementation only.
export { findProjectRoot as projectRoot } from "../data/project-root";
