#!/usr/bin/env node
// The bin `fall-dp` (package.json): `fall-dp <command> [options]`, `fall-dp --help`, `fall-dp <command> --help`.
import { buildProgram } from "./program";
import { runCommand } from "./run-main";

runCommand(buildProgram(), process.argv.slice(2));
