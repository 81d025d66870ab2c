#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so a clean checkout needs no build step.
import { register } from "tsx/esm/api";

register();
await import("./cairn.ts");
