"""Native blocking in Kamailio: robotrace's verified list as tables Kamailio's ``htable`` and
``permissions`` modules load (:mod:`.tables`, :mod:`.dbtext`), kept fresh and reloaded over
Kamailio's JSON-RPC (:mod:`.rpc`, :mod:`.watch`), and Kamailio's blocked-call counters read
back (:mod:`.counts`). The config that uses them: ``contrib/kamailio/blocking/``;
docs/blocking.md, "Native blocking in Kamailio"."""
