"""NPPES domain knowledge, one home for what the CLI, the ingest worker and the generator share:

- ``schema``: the columns of the CMS files (main, legacy, companions), their types and header matching;
- ``records``: where a record starts (the NPI check digit), in bytes;
- ``file``: reading a file whole before it lands (header, archive CRCs, caps, record scan);
- ``landing``: CMS file names (release and kind), the CMS download page's links, and landing a
  file in the lake's raw zone, checked and checksummed.

Shipped with careatlas-shared (like careatlas.runs): every image that needs it installs shared
anyway, and it needs nothing shared does not already pin.
"""
