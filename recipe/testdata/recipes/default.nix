# Generated fixture in nixpkgs' style: 3.12.11's SRI hash is 3.12.10's.
{
  python312 = callPackage ./cpython {
    self = __splicedPackages.python312;
    sourceVersion = {
      major = "3";
      minor = "12";
      patch = "11";
      suffix = "";
    };
    hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };
}
