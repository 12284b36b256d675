// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Emits logs that share well-known topic0 values but not their standard shapes, so that
/// decoders can be tested against what real chains contain.
contract NonStandardLogs {
    /// @dev CryptoKitties (2017) style: same signature as ERC-20/721 Transfer, nothing indexed,
    /// so the log has 1 topic and 96 bytes of data.
    event Transfer(address from, address to, uint256 tokenId);

    bytes32 private constant TRANSFER_TOPIC = keccak256("Transfer(address,address,uint256)");

    function emitUnindexedTransfer(address from, address to, uint256 tokenId) external {
        emit Transfer(from, to, tokenId);
    }

    /// @notice ERC-20 shaped Transfer (3 topics) whose data is 16 bytes instead of 32.
    function emitTransferShortData(address from, address to) external {
        bytes32 topic = TRANSFER_TOPIC;
        assembly {
            mstore(0x00, 0)
            log3(0x00, 16, topic, from, to)
        }
    }

    /// @notice ERC-721 shaped Transfer (4 topics) that also carries 32 bytes of data.
    function emitTransferExtraData(address from, address to, uint256 tokenId, uint256 extra) external {
        bytes32 topic = TRANSFER_TOPIC;
        assembly {
            mstore(0x00, extra)
            log4(0x00, 32, topic, from, to, tokenId)
        }
    }

    /// @notice Transfer with only `from` indexed (2 topics) and 64 bytes of data.
    function emitTransferTwoTopics(address from, address to, uint256 value) external {
        bytes32 topic = TRANSFER_TOPIC;
        assembly {
            let p := mload(0x40)
            mstore(p, to)
            mstore(add(p, 32), value)
            log2(p, 64, topic, from)
        }
    }

    /// @notice Any log: 0 to 4 topics and arbitrary data.
    function emitLog(bytes32[] calldata topics, bytes calldata data) external {
        uint256 n = topics.length;
        require(n <= 4, "at most 4 topics");
        bytes memory d = data;
        bytes32 t0 = n > 0 ? topics[0] : bytes32(0);
        bytes32 t1 = n > 1 ? topics[1] : bytes32(0);
        bytes32 t2 = n > 2 ? topics[2] : bytes32(0);
        bytes32 t3 = n > 3 ? topics[3] : bytes32(0);
        assembly {
            let p := add(d, 32)
            let len := mload(d)
            switch n
            case 0 {
                log0(p, len)
            }
            case 1 {
                log1(p, len, t0)
            }
            case 2 {
                log2(p, len, t0, t1)
            }
            case 3 {
                log3(p, len, t0, t1, t2)
            }
            default {
                log4(p, len, t0, t1, t2, t3)
            }
        }
    }
}
