// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC1155Burnable} from "@openzeppelin/contracts/token/ERC1155/extensions/ERC1155Burnable.sol";
import {ERC1155URIStorage} from "@openzeppelin/contracts/token/ERC1155/extensions/ERC1155URIStorage.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice ERC-1155 collection for local development and tests. The default URI is an ERC-1155
/// `{id}` template; `setURI(id, uri)` stores a per-id URI and emits `URI(value, id)`.
/// Holders (or approved operators) burn with `burn` / `burnBatch`.
contract TestERC1155 is ERC1155URIStorage, ERC1155Burnable, Ownable {
    /// @dev ERC-7572
    event ContractURIUpdated();

    string public name;
    string public symbol;
    string private _contractURI;

    constructor(string memory name_, string memory symbol_, string memory defaultURI_, string memory contractURI_)
        ERC1155(defaultURI_)
        Ownable(msg.sender)
    {
        name = name_;
        symbol = symbol_;
        _contractURI = contractURI_;
    }

    /// @notice Emits `TransferSingle`.
    function mint(address to, uint256 id, uint256 amount) external onlyOwner {
        _mint(to, id, amount, "");
    }

    /// @notice Emits `TransferBatch` (or `TransferSingle` for one id, as OpenZeppelin does).
    function mintBatch(address to, uint256[] calldata ids, uint256[] calldata amounts) external onlyOwner {
        _mintBatch(to, ids, amounts, "");
    }

    /// @notice Stores a URI for one id; emits `URI(uri(id), id)`.
    function setURI(uint256 id, string calldata value) external onlyOwner {
        _setURI(id, value);
    }

    /// @notice Replaces the default (`{id}` template) URI. ERC-1155 defines no event for this.
    function setDefaultURI(string calldata value) external onlyOwner {
        _setURI(value);
    }

    function setContractURI(string calldata value) external onlyOwner {
        _contractURI = value;
        emit ContractURIUpdated();
    }

    function contractURI() external view returns (string memory) {
        return _contractURI;
    }

    function uri(uint256 id) public view override(ERC1155, ERC1155URIStorage) returns (string memory) {
        return ERC1155URIStorage.uri(id);
    }
}
