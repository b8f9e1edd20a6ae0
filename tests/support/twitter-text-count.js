// The oracle for tests/x_counting.rs: npm twitter-text's parseTweet(text).weightedLength (its
// default config, v3) for each text. Reads JSON strings on stdin, one a line, and writes the
// lengths in the same order, one a line, when stdin closes.
//
// Usage: node twitter-text-count.js DIR, where DIR is where
// scripts/servers/twitter-text-install.sh installed twitter-text.
'use strict';
const path = require('path');
const readline = require('readline');

const twttr = require(path.join(process.argv[2], 'node_modules', 'twitter-text'));
const lengths = [];
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => lengths.push(twttr.parseTweet(JSON.parse(line)).weightedLength));
lines.on('close', () => process.stdout.write(lengths.map((n) => `${n}\n`).join('')));
