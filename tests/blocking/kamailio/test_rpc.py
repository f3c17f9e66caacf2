"""Kamailio's RPC socket path is checked where it enters; an absent Kamailio is an error
that says so, not a hang."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from robotrace.blocking.kamailio import rpc


def test_a_path_that_is_not_a_socket_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="not a UNIX socket"):
        rpc.check_socket(tmp_path / "file")
    with pytest.raises(ValueError, match="No such file"):
        rpc.check_socket(tmp_path / "missing.sock")
    with pytest.raises(ValueError, match="longer than"):
        rpc.check_socket("/tmp/" + "x" * 120)


def test_a_socket_nobody_answers_on_is_an_rpc_error(tmp_path: Path) -> None:
    path = tmp_path / "kamailio_rpc.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as silent:
        silent.bind(str(path))
        assert rpc.check_socket(path) == path
        with pytest.raises(rpc.RpcError, match="no answer"):
            rpc.call(path, "htable.reload", "rtblock", timeout=0.2)


def test_an_error_answer_is_an_rpc_error(tmp_path: Path) -> None:
    path = tmp_path / "kamailio_rpc.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        server.settimeout(5)

        def answer() -> None:
            request, client = server.recvfrom(65535)
            assert b'"htable.reload"' in request
            reply = b'{"jsonrpc":"2.0","error":{"code":500,"message":"Reload failed"},"id":1}'
            server.sendto(reply, client)

        import threading

        thread = threading.Thread(target=answer)
        thread.start()
        with pytest.raises(rpc.RpcError, match="Reload failed"):
            rpc.reload_htable(path, "rtblock")
        thread.join()
