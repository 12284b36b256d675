// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @notice ERC-721 collection for local development and tests.
/// Two ways to give tokens a URI:
///  - `mintBatch` records one URI prefix for a whole id range; `tokenURI` is prefix + decimal id.
///    This costs one storage write per token (the owner slot), so several hundred tokens fit in one
///    transaction under the 2^24 per-transaction gas cap.
///  - `mintBatchWithURIs` / `setTokenURI` store a URI per token (ERC721URIStorage), each emitting
///    ERC-4906 `MetadataUpdate`. A per-token URI wins over the range prefix.
/// ERC-7572: `contractURI()` and `ContractURIUpdated()`.
contract TestERC721 is ERC721URIStorage, Ownable {
    /// @dev ERC-7572
    event ContractURIUpdated();

    struct UriRange {
        uint256 first;
        uint256 last;
        string prefix;
    }

    UriRange[] private _ranges;
    string private _contractURI;
    uint256 private _supply;

    constructor(string memory name_, string memory symbol_, string memory contractURI_)
        ERC721(name_, symbol_)
        Ownable(msg.sender)
    {
        _contractURI = contractURI_;
    }

    /// @notice Mints ids `startId .. startId + count - 1` to `to`. When `uriPrefix` is not empty,
    /// their `tokenURI` is `uriPrefix` followed by the decimal token id.
    function mintBatch(address to, uint256 startId, uint256 count, string calldata uriPrefix) external onlyOwner {
        if (count == 0) return;
        if (bytes(uriPrefix).length > 0) {
            _ranges.push(UriRange(startId, startId + count - 1, uriPrefix));
        }
        for (uint256 i = 0; i < count; ) {
            _mint(to, startId + i);
            unchecked {
                ++i;
            }
        }
        _supply += count;
    }

    /// @notice Mints ids `startId .. startId + uris.length - 1` to `to`, storing one URI per token.
    function mintBatchWithURIs(address to, uint256 startId, string[] calldata uris) external onlyOwner {
        uint256 n = uris.length;
        for (uint256 i = 0; i < n; ) {
            _mint(to, startId + i);
            _setTokenURI(startId + i, uris[i]);
            unchecked {
                ++i;
            }
        }
        _supply += n;
    }

    /// @notice Stores a per-token URI; emits ERC-4906 `MetadataUpdate(tokenId)`.
    function setTokenURI(uint256 tokenId, string calldata uri) external onlyOwner {
        _setTokenURI(tokenId, uri);
    }

    /// @notice ERC-4906 notice without a URI change (e.g. the document behind the URI changed).
    function emitMetadataUpdate(uint256 tokenId) external onlyOwner {
        emit MetadataUpdate(tokenId);
    }

    /// @notice ERC-4906 range notice, bounds inclusive.
    function emitBatchMetadataUpdate(uint256 fromTokenId, uint256 toTokenId) external onlyOwner {
        emit BatchMetadataUpdate(fromTokenId, toTokenId);
    }

    /// @notice Burns a token; callable by its owner or an approved operator.
    function burn(uint256 tokenId) external {
        _update(address(0), tokenId, _msgSender());
        _supply -= 1;
    }

    function totalSupply() external view returns (uint256) {
        return _supply;
    }

    function setContractURI(string calldata uri) external onlyOwner {
        _contractURI = uri;
        emit ContractURIUpdated();
    }

    function contractURI() external view returns (string memory) {
        return _contractURI;
    }

    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        string memory own = _suffixURI(tokenId);
        if (bytes(own).length > 0) {
            return own;
        }
        // Newest range first: a later mint of a burnt id takes the later prefix.
        for (uint256 i = _ranges.length; i > 0; ) {
            unchecked {
                --i;
            }
            UriRange storage r = _ranges[i];
            if (tokenId >= r.first && tokenId <= r.last) {
                return string.concat(r.prefix, Strings.toString(tokenId));
            }
        }
        return "";
    }
}
