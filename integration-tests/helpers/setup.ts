// Integration suites start real processes; give them room (jest's testTimeout is not a per-project option).
jest.setTimeout(120_000);
