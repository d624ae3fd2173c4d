// The release build has no exports beyond docs/abi.md's table (asconfig.json
// target "release" puts core/targets/release on the package path).
export {};
